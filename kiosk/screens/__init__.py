"""The kiosk's screens: the visitor's way through sign-in and sign-out, and the staff area."""
