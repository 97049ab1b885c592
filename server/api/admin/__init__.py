"""Operator (admin role) JSON controllers under /api/admin/..., one module per room."""
