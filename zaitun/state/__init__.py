"""The layer below the stages: the store and the states of documents and segments.

content, translate, review and publish all import from here; nothing here imports them.
"""
