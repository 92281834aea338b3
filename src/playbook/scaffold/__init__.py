"""Scaffolding: a new playbook (`init`) and new documents (`new`) from templates."""
