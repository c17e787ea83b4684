"""Touch widgets of the kiosk: buttons, text, the touch keyboard and the signature pad."""
