"""Homework notebooks for the questions the book answers (issue #16).

- :mod:`homework.stubs` -- what the student starts from: every function to
  write, with its docstring, raising ``NotImplementedError``;
- :mod:`homework.checks` -- one ``check_<name>`` per stub: fresh random
  inputs, the book's solution (hwlib) as the oracle, clear messages;
- :mod:`homework.solutions` -- the book's solution of every stub, mostly
  hwlib wrapped to the stub's signature (the tests prove each one passes);
- ``homework/build.py`` -- writes the notebooks, inlining the checks.
"""
