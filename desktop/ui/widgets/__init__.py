"""Small reusable widgets shared by several panels and dialogs."""
