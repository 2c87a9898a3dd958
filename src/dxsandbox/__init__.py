"""Local HTTPS emulators of Xero and Microsoft's services (Entra ID, Discovery, Dataverse, the Dynamics app).

A package of its own, next to the connector and importing nothing from it: the connector talks to it only as it
talks to the real services, over HTTPS, and a production install leaves it (and its web stack) out.
"""
