//! How a page's data travels from the server's render to the browser that hydrates it.
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, carried as bytes. Leptos writes each resource's value into the page as a Rust string
/// literal (`{:?}`): for a lesson in Chinese that escaping looked up every character in
/// Unicode's tables of printable characters, about a tenth of the server's time on a lesson
/// page. Bytes travel as base64, which is ASCII and passes through that literal as it is; the
/// page is about the same size (three bytes of a Chinese character become four characters,
/// where escaped JSON doubled every quote).
///
/// Use it for resources that carry long text: `Resource::<_, JsonBytes>::new_with_options(..)`.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = Vec<u8>;

    fn encode(val: &T) -> Result<Vec<u8>, Self::Error> {
        serde_json::to_vec(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = [u8];

    fn decode(val: &[u8]) -> Result<T, Self::Error> {
        serde_json::from_slice(val)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_survives_the_trip_and_travels_as_ascii() {
        use leptos::server::{FromEncodedStr, IntoEncodedString};
        let lesson = ("热平衡测试 \"quoted\" <b>", 42u32, vec![Some(true), None]);
        let text = <JsonBytes as Encoder<_>>::encode(&lesson)
            .unwrap()
            .into_encoded_string();
        assert!(text.is_ascii() && !text.contains('"') && !text.contains('\\'));
        let bytes = <[u8]>::from_encoded_str(&text).unwrap();
        let back: (String, u32, Vec<Option<bool>>) =
            <JsonBytes as Decoder<_>>::decode(&bytes).unwrap();
        assert_eq!(back, (lesson.0.to_string(), lesson.1, lesson.2));
    }
}
