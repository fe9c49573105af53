"""E-mail and SMS messages to customers. Depends on nothing but the kernel."""
