"""Collaboration rules: readiness (第4章(1)(2)), forms (第3章), status machine, evaluation
(第4章(4)) and progress (第4章(3)).
"""
