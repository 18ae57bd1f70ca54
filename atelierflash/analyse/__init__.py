"""The analytics wing: aggregations of a selection of ateliers and their figures."""
