"""Human review: the queue of work the policy or the agents left to people, and their decisions."""
