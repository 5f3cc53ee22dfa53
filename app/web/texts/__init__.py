"""The web pages' texts by page area; app/web/app_texts.py merges them."""
