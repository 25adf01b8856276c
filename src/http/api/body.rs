//! `Body<T>`: a JSON request body that must be an object. serde reads a struct from an array
//! too (`[null]` for `{ "name": null }`), which no schema here allows; read as an object first,
//! then as `T`, every refusal goes through the JSON extractor's one mapping
//! ([`problem::json_error`]): limits, media type and shape alike.

use std::{future::Future, ops::Deref, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, error::JsonPayloadError, web};
use serde::de::DeserializeOwned;

use super::problem;

pub struct Body<T>(pub T);

impl<T> Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

type Object = serde_json::Map<String, serde_json::Value>;

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = web::Json::<Object>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let web::Json(object) = object.await?;
            serde_json::from_value(serde_json::Value::Object(object))
                .map(Body)
                .map_err(|e| problem::json_error(JsonPayloadError::Deserialize(e), &req))
        })
    }
}
