"""The static HTML dashboard (``gacheck site``): the audits as pages, charts as inline SVG.

``model`` turns audit folders into what is shown, ``svg`` the charts' geometry, ``render`` the
pages (Jinja templates in ``templates/``, autoescaped). Text only: ``output.site_files``
writes it.
"""
