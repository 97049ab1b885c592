"""HTTP plumbing: auth guards, body limits, compression, conditional GET, the response cache, problem details."""
