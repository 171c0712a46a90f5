"""What several handler modules show: screens and cards, built in the current locale, never routed here."""
