"""The Prefect flows: each task wraps one call of `zaitun.pipeline`; the deployments are declared in
a project's prefect.yaml (written by `zaitun init`), whose entrypoints point here, so upgrading
zaitun upgrades every project's orchestration."""
