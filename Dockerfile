# Trygg havn – one image for every Python process (Rasa, action server, web entry, Telegram,
# migrations, retention purge); docker-compose.yml / Kubernetes choose the command.
# The model is trained at build time, so a container starts without training. No secret is
# baked in: they all come from the environment at run time (docs/operations.md).
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TRYGG_VAR_DIR=/app/var

# An unprivileged user; the code and the model stay owned by root (read-only for the app).
RUN groupadd --system --gid 10001 trygg \
 && useradd --system --uid 10001 --gid trygg --home-dir /home/trygg --create-home \
            --shell /usr/sbin/nologin trygg

WORKDIR /app

# Exact versions of what runs – the runtime lock only: no test or development tools (pytest,
# hypothesis, playwright, honcho are in requirements-dev.lock). Every package has a wheel: no compiler.
COPY requirements.lock ./
RUN python -m pip install pip==24.0 \
 && python -m pip install -r requirements.lock \
 && python -m pip check

COPY . .

# Train once, here. RASA_CACHE_DIRECTORY keeps the training cache out of the image.
RUN RASA_CACHE_DIRECTORY=/tmp/rasa-cache \
    rasa train --domain domain --data data --config config.yml --out models --fixed-model-name trygg-havn \
 && rm -rf /tmp/rasa-cache .rasa \
 && test -f models/trygg-havn.tar.gz \
 && mkdir -p /app/var \
 && chown trygg:trygg /app/var

USER trygg:trygg

EXPOSE 5005 5055 8080
CMD ["python", "-m", "bot.web"]
