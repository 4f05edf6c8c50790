"""Qt widgets. They call into ``desktop.core``; background work never touches a widget directly."""
