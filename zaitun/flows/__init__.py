"""The Prefect flows: each task wraps one call of `zaitun.pipeline`; the deployments are declared in
a project's prefect.yaml (written by `zaitun init`), whose entrypoints point here, so upgrading
zaitun upgrades every project's orchestration."""

from zaitun.flows.logs import user_errors_in_one_line

user_errors_in_one_line()  # in every process that loads a flow: `zaitun up`'s flows and each run they start
