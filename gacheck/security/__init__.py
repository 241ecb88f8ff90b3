"""Track E: turning dependency vulnerabilities into issues a person can act on."""
