"""Development and test tools (the Bot API emulator, the bot running against it): not shipped in the wheel."""
