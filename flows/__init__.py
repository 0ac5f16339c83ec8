"""Thin Prefect flows: each task wraps one zaitun library call; deployments are in prefect.yaml."""
