"""The domain: filing, routing, the status machine, queries and DataLoaders.

Never imports `schema` or `server`; everything here works on model rows and plain values.
"""
