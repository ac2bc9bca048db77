"""Systems that call Arrears (the dialer, the SMS gateway, the e-mail provider's delivery receipts, the
payment gateway, the card host): their identities, signed requests, replay protection and idempotency."""
