"""``gacheck serve``: verdicts over HTTP for Argo Rollouts' Web provider and Flagger's webhooks.

Used only by ``commands/serve.py``, which hands in the evaluation (``jobs.Evaluate``) so this
package never wires configs, gates and writers itself. Needs the ``serve`` extra (Starlette and
uvicorn), imported only when the server starts.
"""
