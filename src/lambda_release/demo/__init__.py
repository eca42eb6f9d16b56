"""The release rehearsal (`lambda-release demo`, `make demo`) and its sample application.

`app/` is a SAM application shipped as package data: two functions (python3.11), each
published on every change behind its alias, released by canary with an alarm.
"""
