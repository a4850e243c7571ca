"""Telegram channel of Trygg havn (python-telegram-bot v22 ↔ Rasa REST). Run: python -m bot.telegram"""
