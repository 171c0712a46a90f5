"""Texts made from the domain's data and shared by the channels (the bot's handlers, the command line)
and the documents: what is stored or printed is worded here, in a given language. Services return data."""
