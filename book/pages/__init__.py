"""The book's generated pages, one module per group; prose lives in ``book/templates/*.md.j2``.

=============  =====================================================================
module         pages
=============  =====================================================================
common         shared helpers: escaping, links, tables + CSV downloads, templates
start          home page, FAQ
codes          code catalogue and one page per code (quick-facts card first)
compare        the comparison pages
spine          the spine diagram (SVG) and its level table
coverage       covered indications per LCD, drugs and units, contractors, fee schedule
reference      checklist, rule catalogue, sources, glossary, downloads
search         the code index behind the site search (a Sphinx search scorer)
=============  =====================================================================
"""
