"""Views shared by several handler modules (texts built from domain data, in the current locale)."""
