"""Thin Prefect flows: each task wraps one zaitun library call; deployments are in prefect.yaml.

Files are named `*_flow.py` because Prefect imports a flow file under its own name, and a
`translate.py` would shadow the translate-toolkit package.
"""
