"""Customers, their addresses, logins and permissions."""
