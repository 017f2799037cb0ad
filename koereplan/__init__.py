"""The pure core of Køreplan: notices, the køreplan definition, dates and planning.

Nothing in this package talks to Prefect or a database; flows and tasks call it.
"""
