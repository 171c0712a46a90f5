"""Formal procedures with state bodies (DESIGN.md sections 1 and 3): approval requests with terms in
calendar or working days on Kyrgyzstan's calendar (``calendar``), the answer letter's parts and the
answer (``approval``, ``letter``), what followed the answer (``after_answer``), the near-term alerts
(``alerts``) and the procedure's log (``log``)."""
