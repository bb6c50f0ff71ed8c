"""Protocol layer of prisolve_altinn: plain Python, no Odoo import.

Transports (Altinn 2 SOAP, Altinn 3 REST, file upload) deliver ``AltinnItem``
objects; parsers turn their files into typed Skatteetaten documents. The Odoo
models only ever see these plain objects and the errors in ``errors``.
"""
