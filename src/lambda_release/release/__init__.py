"""One release from plan to settlement: pre-flight, begin, deploy, settle, stable pointers."""
