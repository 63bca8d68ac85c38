package workflows

// ErrTypeAccessDenied: the object store holding an input or output
// (s3://…) refused the worker's credentials. Not retryable: fix the
// credentials (the worker's AWS_* environment or credentials file) and run
// the title again.
const ErrTypeAccessDenied = "AccessDenied"
