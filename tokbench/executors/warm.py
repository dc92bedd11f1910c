"""Imported by the local executor's forkserver (its preload list): loads what every child would load
first (see tokbench.executors.work.warm_from_env), once, before any child is forked."""

from tokbench.executors.work import warm_from_env

warm_from_env()
