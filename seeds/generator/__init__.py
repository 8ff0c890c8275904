"""The rooms of ``seeds/generate_demo.py``, which writes the ``generated_*.json`` files:

- ``people``: fictional names, 法人番号 and phone numbers;
- ``associations``: the 84 町内会・自治会 and the city's districts;
- ``counterparties``: the sectors and counterparties of the 災害時応援協定;
- ``agreements``: the disaster-support agreements and their special cases;
- ``disaster_support``: the counterparties as partners, the collaboration, the agreements;
- ``consumer_groups``: the groups of みんなの消費生活展;
- ``series``: the yearly series まちかどミーティング and みんなの消費生活展.
"""
