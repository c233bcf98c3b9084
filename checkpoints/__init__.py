"""Run folders (weights/<config>/, runs/<config>/): their files, their name pattern, resuming, and the one
routine that swaps a folder for a new one."""
