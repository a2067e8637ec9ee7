"""The seed's FastAPI webhook handler, as a BENCHMARK BASELINE ONLY (never a product feature).

Taken from /work/shared/seed/poc-azure-architecture-for-webhooks.md, "Step 2" (main.py), so that
`npm run bench:e2e` can put the seed's design beside ours: same NGINX in front, same Kafka broker,
same load, as many processes as we run runtimes (bench/e2e starts one uvicorn process per
upstream).

Departures from the seed, each to make it as durable as ours or runnable here, none to slow it:
- The send is AWAITED and acks='all': the seed fired `producer.send(...)` and answered at once, so a
  broker failure lost the webhook after its 200. Here the handler waits for the broker's
  acknowledgement. It does so without blocking the event loop: kafka-python's send future calls
  back from the producer's I/O thread and `loop.call_soon_threadsafe` resolves an asyncio future
  (this scales better than `run_in_executor(None, future.get)`, whose default thread pool would cap
  the in-flight sends at a handful per process).
- The value is JSON (`json.dumps`), not `bytes(str(message))`, a Python repr no consumer can parse.
- No Mangum (the Azure Functions adapter): the app runs under uvicorn, as the seed's container would.
- Broker list and topic come from KAFKA_BROKERS / KAFKA_TOPIC instead of the hard-coded
  'localhost:9092' / 'webhook_topic'.
Kept as in the seed: no validation of the body (`await request.json()`, `.get()`), no key (the
producer spreads records over partitions), the 200 answer and its body, the module-level producer.
"""

import asyncio
import json
import os
import uuid

from fastapi import FastAPI, Request
from kafka import KafkaProducer

app = FastAPI()

TOPIC = os.environ.get("KAFKA_TOPIC", "webhook_topic")
SEND_TIMEOUT_S = 10.0

producer = KafkaProducer(
    bootstrap_servers=os.environ.get("KAFKA_BROKERS", "localhost:9092").split(","),
    acks="all",
)


def _acknowledged(record_future) -> "asyncio.Future[object]":
    """An asyncio future settled when the broker acknowledges (or refuses) the record."""
    loop = asyncio.get_running_loop()
    settled = loop.create_future()

    def settle(result=None, error=None):
        if settled.done():
            return
        if error is not None:
            settled.set_exception(error)
        else:
            settled.set_result(result)

    record_future.add_callback(lambda metadata: loop.call_soon_threadsafe(settle, metadata))
    record_future.add_errback(lambda exc: loop.call_soon_threadsafe(settle, None, exc))
    return settled


@app.post("/webhook")
async def handle_webhook(request: Request):
    body = await request.json()
    client_id = body.get("clientId")
    opportunity = body.get("opportunity")

    # Generate correlationId
    correlation_id = str(uuid.uuid4())

    # Create message
    message = {"clientId": client_id, "opportunity": opportunity, "correlationId": correlation_id}

    # Send message to Kafka and wait for the broker's acknowledgement (acks='all')
    sent = producer.send(TOPIC, value=json.dumps(message).encode("utf-8"))
    await asyncio.wait_for(_acknowledged(sent), SEND_TIMEOUT_S)

    return {"status": "Message sent", "correlationId": correlation_id}
