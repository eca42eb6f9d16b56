"""Release waves (issue 33): one release across many stacks and regions, undone as one."""
