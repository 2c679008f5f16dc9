"""Coverage-guided fuzzing of journeymap's input readers (docs/fuzzing.md).

- :mod:`fuzz.targets`: one function per reader, each taking raw bytes, and its contract;
- :mod:`fuzz.worker`: one target under atheris (libFuzzer), one process;
- ``python -m fuzz``: every target for a time, crashes saved under tests/data/fuzz/<target>/.
"""
