from keylint.cli import entry

entry()
