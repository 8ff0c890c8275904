"""Agreement term arithmetic (rule 8, 第3章(3)): month ends, leap days, renewal, in force."""
