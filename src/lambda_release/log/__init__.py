"""The release log in S3: ids, records and their schema, the store and its index, the lease."""
