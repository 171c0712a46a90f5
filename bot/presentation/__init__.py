"""Texts made from the domain's data, shared by the channels (the bot's handlers and the command line)."""
