"""Channel-neutral texts: what the bot writes that is stored or printed in documents, the same whatever
the channel. Services return data; these functions turn it into words in a given language."""
