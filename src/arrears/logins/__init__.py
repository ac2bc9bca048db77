"""Sign-in throttling: failed sign-ins by user name and by address, and the locks they lead to."""
