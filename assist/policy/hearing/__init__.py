"""Facts heard on the call: what the customer said that a policy reads (days, amounts, yes or no), when the
desktop did not send it, and each fact as the agent sees it.
"""
