"""The read-only JSON API for the Ministry's and provinces' systems (the LGSP/NDXP integration path).

Django REST framework with drf-spectacular: fixed paths under /api/v1/, a token per user
(`rest_framework.authtoken`, revocable in the admin), the user's read scope, an OpenAPI schema at
/api/v1/schema/ and its documentation at /api/v1/docs/. Every figure comes from `reports.status`
(and so `reports.figures`): the API, the status page and the reports say the same.
"""
