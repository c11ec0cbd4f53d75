//! Serving the intake API with limits a public endpoint needs: a client that sends its headers
//! or its body too slowly is cut off, a request that takes too long is answered, at most so many
//! connections are open at once, and a stop finishes the requests in hand within a bound — so a
//! handful of slow clients can neither exhaust the server nor hold up a shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::ApiError;

/// The intake server's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// A request's headers must arrive within this.
    pub header_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// A request is answered within this (`503` when the work takes longer).
    pub request_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// On stop, how long requests in hand may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_connections: 256,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Answers `503` in the API's JSON shape when the work on a request takes too long.
async fn answer_within(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "an API request took too long and was answered 503");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the request took too long; try again (a repeated POST with the same external_id is safe)",
            )
            .into_response()
        }
    }
}

/// Serves `router` on `listener` until `stop` is cancelled, then finishes the requests in hand
/// (at most `shutdown_grace`) and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    stop: CancellationToken,
) {
    let request_timeout = limits.request_timeout;
    let router = router
        .layer(axum::middleware::from_fn(move |req, next| {
            answer_within(request_timeout, req, next)
        }))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_timeout,
        ));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            _ = stop.cancelled() => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept an API connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "an API connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    finish_within(graceful.shutdown(), limits.shutdown_grace).await;
}

async fn finish_within(work: impl Future<Output = ()>, grace: Duration) {
    if tokio::time::timeout(grace, work).await.is_err() {
        tracing::warn!(
            ?grace,
            "API connections still open at shutdown were dropped"
        );
    }
}
